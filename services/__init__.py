"""The four Kinerja services. Each imports only itself and `shared`; they talk through Kafka events."""
