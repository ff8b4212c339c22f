"""The registry's domain: rules in plain Python, no Flask or Neo4j imports."""
