// The parts of CodeMirror 6 the SPARQL editor uses (kg/web/static/editor.js), bundled
// into one file by scripts/build_editor.sh and exposed as the global KGEditor: the page's
// own code stays plain JavaScript, readable and editable without npm.
export { EditorState, Prec } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection, placeholder } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { StreamLanguage, syntaxHighlighting, bracketMatching, indentOnInput } from "@codemirror/language";
export { classHighlighter } from "@lezer/highlight";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
export { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { linter, lintGutter, setDiagnostics } from "@codemirror/lint";
