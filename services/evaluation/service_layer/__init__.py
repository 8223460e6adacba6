"""service layer of the evaluation service."""
