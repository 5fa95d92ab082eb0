## Staff account security: two-factor sign-in (TOTP), recovery codes.

what-second-factor = two-factor sign-in
second-factor-needed = This account has two-factor sign-in: enter the 6-digit code from your authenticator app (or a recovery code).
second-factor-wrong = { $reason ->
    [replayed] That code has already been used. Wait for a new code in your authenticator app (each code works once).
   *[wrong] The two-factor code is not right (or has expired). Nothing was changed.
}
second-factor-required = You must turn on two-factor sign-in before reading tips, holding a tip key or using your agency's console. Turn it on at the account security page: /console/bao-mat. (Cần bật xác thực hai lớp tại /console/bao-mat.)
second-factor-still-required = You cannot turn two-factor sign-in off: your work (tips, a tip key, or your agency's rule) requires it.
second-factor-not-pending = No two-factor enrolment is waiting to be confirmed. Start again.
security-go = Go to the account security page to turn on two-factor sign-in
security-title = Account security
security-lead = Two-factor sign-in: after your password, you enter the 6-digit code your authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP…) makes every 30 seconds.
security-required-notice = Your agency requires all staff to turn on two-factor sign-in. Turn it on now to go on working.
security-obliged = You must have two-factor sign-in (you read tips, hold a tip key, or your agency requires it).
security-on = On since { $since }. { $left } recovery codes left unused.
security-off = Off.
security-start = Turn on two-factor sign-in
security-scan = Scan this QR code with your authenticator app, or type in the secret below.
security-secret = Secret (to type in)
security-qr = QR code to add the account to an authenticator app
security-code = 6-digit code
security-confirm = Confirm
security-codes-title = Your recovery codes
security-codes-lead = Keep these codes somewhere safe. Each signs you in once if you lose your phone. They are shown only this once.
security-renew = Make new recovery codes
security-disable = Turn two-factor sign-in off
security-code-or-recovery = 6-digit code or recovery code
security-done = Done
security-agencies = Agencies you manage
security-agency-required = Require all staff of { $agency } (and the agencies below it) to use two-factor sign-in
security-save = Save
security-saved = Saved.
security-reset-title = Reset a member's two-factor sign-in
security-reset-username = The member's username
security-reset = Reset
security-reset-done = That member's two-factor sign-in was reset; they turn it on again when they sign in.
staff-code-title = Two-factor sign-in
staff-code-lead = Enter the 6-digit code from your authenticator app, or a recovery code.
staff-code-expired = The sign-in waiting for a code has expired. Enter your password again.
