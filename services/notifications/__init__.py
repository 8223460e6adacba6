"""Notifications: in-app notices (Bahasa Indonesia and English) from the other services' events."""
