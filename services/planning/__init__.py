"""Planning: SKP work plans — drafting, submission, the atasan's approval or return, and realisasi."""
