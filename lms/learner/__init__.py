"""The learner's pages: the LMS root, the dashboard, a course and its lessons. Above courses, quizzes
and the plan, whose parts they show."""
