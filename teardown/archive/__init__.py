"""The archive of a teardown: what a plan deletes, captured before its first mutation, in the SiteWise bulk
import shape plus one extension section; read back by ``teardown.restoring``."""
