"""The wire layer: SiteWise rest-json HTTP requests in, responses out, all read from the botocore service model."""
