-- Two-factor sign-in for staff (issue 20): a TOTP secret per member, wrapped under the server's
-- key and bound to the member's id (never in clear); `confirmed_at` is NULL until a first code
-- proves the authenticator holds it. `last_step` is the last accepted 30-second step: a code for
-- that step or an earlier one is refused, and the check-and-set is one UPDATE, so two uses of
-- one code cannot both pass.
CREATE TABLE staff_second_factor (
    staff_id       BIGINT PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    secret_wrapped TEXT NOT NULL,
    confirmed_at   BIGINT,
    last_step      BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
-- Recovery codes: keyed hashes only, each used once (`used_at` set by one UPDATE).
CREATE TABLE staff_recovery_codes (
    staff_id  BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);
-- An agency's security settings: whether all its staff (and those of the agencies below it) must
-- sign in with a second factor. Absent means off.
CREATE TABLE agency_security (
    agency_id              BIGINT PRIMARY KEY NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    second_factor_required BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at             BIGINT NOT NULL
);
