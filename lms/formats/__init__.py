"""File formats: line-aware YAML, the sanitising Markdown renderer, content errors, the spreadsheet
row reader. Low modules: they import no other lms package."""
