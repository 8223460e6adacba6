"""service_layer layer of the notifications service."""
