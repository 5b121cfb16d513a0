# One Fargate service: task definition, service behind its target group,
# autoscaling, log group, and roles with least privilege:
#   execution role - pull this image, write this log group, read these secrets
#   task role      - only what the application itself calls (var.task_policy_json)
#   release execution role - the same, plus the release task's own secrets
#                    (var.release_secrets), which the service never gets

data "aws_region" "current" {}

locals {
  full_name = "${var.name}-${var.service}"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/${var.name}/ecs/${var.service}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.full_name}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "execution" {
  # Not resource-scoped by AWS: the token is per registry, not per repository.
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullOwnImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.repository_arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.secrets)
  }

  statement {
    sid       = "DecryptSecretsAndImage"
    actions   = ["kms:Decrypt"]
    resources = [var.data_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The release task starts with the service's secrets and its own (the database admin's,
# say): a role of its own, so the service's execution role cannot read those.
resource "aws_iam_role" "release_execution" {
  count = local.has_release ? 1 : 0

  name               = "${local.full_name}-release-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "release_execution" {
  count = local.has_release ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.execution.json]

  dynamic "statement" {
    for_each = length(var.release_secrets) > 0 ? [1] : []

    content {
      sid       = "ReadReleaseSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = values(var.release_secrets)
    }
  }
}

resource "aws_iam_role_policy" "release_execution" {
  count = local.has_release ? 1 : 0

  name   = "pull-log-secrets"
  role   = aws_iam_role.release_execution[0].id
  policy = data.aws_iam_policy_document.release_execution[0].json
}

resource "aws_iam_role" "task" {
  name               = "${local.full_name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "task" {
  count = var.task_policy_json == "" ? 0 : 1

  name   = "application"
  role   = aws_iam_role.task.id
  policy = var.task_policy_json
}

locals {
  has_release = length(var.release_command) > 0
  # The container as both task definitions run it; the service adds its port and probe.
  container = {
    name                   = var.service
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = true
    privileged             = false
    user                   = "10001:10001"
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    environment            = [for key in sort(keys(var.environment)) : { name = key, value = var.environment[key] }]
    secrets                = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]
    linuxParameters        = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = var.service
      }
    }
  }
  # The release task's container: the same, with its own secrets added.
  release_secrets = merge(var.secrets, var.release_secrets)
  release_container = merge(local.container, {
    secrets = [for key in sort(keys(local.release_secrets)) : { name = key, valueFrom = local.release_secrets[key] }]
  })
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.full_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Scratch space for a read-only root filesystem (uvicorn workers' metrics files).
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(local.container, {
    portMappings = [{ containerPort = var.port, protocol = "tcp" }]
    healthCheck = {
      command     = ["CMD", "croody-healthcheck", "http://127.0.0.1:${var.port}${var.health_path}"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
  })])
}

# One-off release task (var.release_command): the same image, environment, task role and
# read-only filesystem as the service, the service's secrets and its own
# (var.release_secrets, read by its own execution role), no port, no probe. deploy.yml
# applies it (with the permissions and secret values it depends on) and runs it before
# the services roll.
resource "aws_ecs_task_definition" "release" {
  count = length(var.release_command) > 0 ? 1 : 0

  family                   = "${local.full_name}-release"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.release_execution[0].arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(local.release_container, {
    command      = var.release_command
    portMappings = []
    logConfiguration = merge(local.container.logConfiguration, {
      options = merge(local.container.logConfiguration.options, {
        awslogs-stream-prefix = "${var.service}-release"
      })
    })
  })])

  # A targeted apply of this definition also grants what the task needs at start.
  depends_on = [aws_iam_role_policy.release_execution, aws_iam_role_policy.task]
}

resource "aws_ecs_service" "this" {
  name             = var.service
  cluster          = var.cluster_arn
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  health_check_grace_period_seconds = 60

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  # A rollout whose tasks never become healthy is rolled back by ECS itself.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.service
    container_port   = var.port
  }

  # The tasks' addresses under the service's internal name (Cloud Map A records), for the
  # calls between services.
  service_registries {
    registry_arn = var.service_registry_arn
  }

  lifecycle {
    # Autoscaling owns the running count.
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${local.full_name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  name               = "${local.full_name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 75
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}
