"""JSON shapes of the API answers, shared by the controllers that return the same records."""
