## Staff account security: two-factor sign-in (TOTP), recovery codes.
