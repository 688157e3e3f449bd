"""Operating the portal: checks, secrets, backup and restore."""
