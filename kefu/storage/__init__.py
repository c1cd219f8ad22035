"""The ground floor: the assistant's database (engine, shop and knowledge tables, handoff tables), shop
time, places and money, and the readers of its own YAML files (wording, with file and line in every
error). Every other part of ``kefu`` may use it; it uses nothing above it but ``kefu.settings``.
"""
