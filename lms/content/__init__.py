"""Reading content files (courses, lessons, question banks) and reporting faults by file and line."""
