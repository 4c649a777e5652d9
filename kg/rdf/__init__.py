"""RDF in and out: strict parsing with the statement checks, canonical Turtle, renderers of results and graphs, and term conversion between rdflib and pyoxigraph."""
