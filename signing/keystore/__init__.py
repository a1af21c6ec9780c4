"""Where keys live: a PKCS#12 file, a PKCS#11 token, the holder's own token through the local
sign agent; and, for tests and demonstrations only, a demo PKI, a SoftHSM token and a local test
CA with OCSP, CRL and time-stamping."""
