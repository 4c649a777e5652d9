"""The HTTP face of the graph (``kg serve``): SPARQL endpoint, web API and pages."""
