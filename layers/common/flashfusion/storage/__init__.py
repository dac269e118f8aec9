"""DynamoDB and S3 repositories: the only code that knows key layouts."""
