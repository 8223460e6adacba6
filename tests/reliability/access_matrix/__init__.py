"""The declared access policy of every service, cell by cell, and the cast and records it is tested on."""
