"""Scene breakdowns: YAML files -> frozen pydantic models, with file:line:column errors."""
