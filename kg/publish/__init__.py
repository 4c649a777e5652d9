"""Applications of the facade that make things to publish: HTML documentation, pictures, the dataset description (DCAT, VoID) and releases."""

from typing import Any

#: The facade (``kg.graph.Graph``) these modules are given. They never import it: the
#: facade calls them, so an import of it here would be a circle.
Graph = Any
