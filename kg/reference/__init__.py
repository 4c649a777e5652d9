"""The reference oracles the tests and the bench hold the engine to (rdflib's SPARQL engine, pySHACL, owlrl). Nothing in kg imports them."""
