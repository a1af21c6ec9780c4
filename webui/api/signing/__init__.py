"""The API's signing room: one's registered certificates and their enrollment through the sign
agent (certificates), and ký số từ xa, a signature approved on the phone, with the agency's remote
signing services (remote_signing)."""
