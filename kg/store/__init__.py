"""The store: the reads it answers, declared once, and its two kinds (the local pyoxigraph cache of the files, any SPARQL 1.1 endpoint), with the OWL RL closure as a derived store version."""
