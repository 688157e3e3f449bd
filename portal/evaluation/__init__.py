"""Post-course evaluation: the form, who may fill it in, and the review of its results.

Other capabilities import `evaluation_submitted` / `evaluation_state` from
`portal.evaluation.eligibility`.
"""
