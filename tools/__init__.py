"""Developer tools for the rehearse project (not installed with the package)."""
