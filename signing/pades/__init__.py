"""PAdES signatures and their verification (ETSI EN 319 142; Circular 15/2025/TT-BKHCN): the
allowed algorithms, the leader's, agency's and attachment signatures, approvals (ký nháy), split
signing with the holder's token, the revocation check, time-stamps and long-term validation, the
Vietnamese verification report, and poppler's ``pdfsig`` as a second opinion."""
