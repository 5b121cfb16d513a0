"""The CMS's side of the service boundary: HTTP clients of the telemetry and IDS APIs, and the
secrets it shares with them. The CMS never opens the services' databases nor imports `apis`."""
