## Tips as cases: status, deadlines, extensions, transfers, notes.
