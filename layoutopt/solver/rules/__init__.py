"""One module per rule family of docs/rules.md.

Each exposes ``build(model, v, instance)``: it reads the variables container
(:mod:`layoutopt.solver.variables`) and adds the constraints of its rules, tagged with
their :class:`~layoutopt.solver.groups.RuleGroup` where a user can relax them.
"""
