"""Business rules: explicit arguments, domain errors, no HTTP (STYLE G7)."""
