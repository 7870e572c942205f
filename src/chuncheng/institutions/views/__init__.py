"""Pages of the institutions registry: institutions, community facilities, residents (stays) and staff."""
