"""Reference programs the bench suite measures our server against (each small and on its own)."""
