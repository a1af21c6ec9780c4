@echo off
rem QLVB: phan mem ky so tu khoi dong cung Windows.
rem Sua ba gia tri duoi day theo thiet bi ky so cua ban, roi dat tep nay vao thu muc Startup
rem (nhan Windows + R, go shell:startup, Enter, dan tep vao do).
set QLVB_ORIGIN=https://qlvb.example.gov.vn
set TOKEN_LABEL=TEN-THIET-BI
set KEY_LABEL=TEN-KHOA
set PKCS11_MODULE=C:\Windows\System32\ten-nha-cung-cap-pkcs11.dll
rem pythonw: chay an, khong mo cua so dong lenh; ma PIN duoc hoi tren trang rieng cua phan mem.
start "" pythonw -m signing.keystore.agent_cli --origin %QLVB_ORIGIN% --token-label %TOKEN_LABEL% --key-label %KEY_LABEL% --module "%PKCS11_MODULE%"
