"""The softphone bridge: baresip ctrl_tcp client, event spool, local IPC, single instance."""
