"""Application shell: factory, configuration, extensions, entry points."""
