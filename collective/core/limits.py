"""How long text may be, by kind. Forms and API serializers use these; no text at all may pass
`settings.COLLECTIVE_MAX_TEXT_LENGTH` (the input guard refuses it at the door)."""

SHORT = 2_000  # a purpose, a personal message, a reason, a review comment, a note
MEDIUM = 5_000  # a description, a consultation comment, reservations
LONG = 10_000  # a section of the agenda (problem, vision, principles...), proposed wording
LIST = 100  # items in a list field (breakdown values, co-partners)
