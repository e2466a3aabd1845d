"""The app instance on this machine: one app per data dir (lock), the local IPC that the
hook and a second launch use to reach it, private files, and the little platform code left.

Nothing here imports Qt or the database: the softphone hook imports it and must return fast.
"""
