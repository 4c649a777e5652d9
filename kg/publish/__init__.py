"""Applications of the facade that make things to publish: HTML documentation, pictures, the dataset description (DCAT, VoID) and releases."""
