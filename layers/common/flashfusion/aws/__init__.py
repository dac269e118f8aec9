"""AWS service adapters: cached boto3 clients, EventBridge Scheduler, KMS signing, Secrets Manager, throttling."""
