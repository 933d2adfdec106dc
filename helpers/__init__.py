"""Plain helpers the models and the API share (no model, no route): phone numbers, replica reads."""
