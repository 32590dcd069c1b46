"""POS services: register sessions (``sessions``), sales (``sales``), returns and pickups."""
