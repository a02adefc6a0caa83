"""A Dask cluster on AWS ECS/Fargate with dask-cloudprovider (the platform of the classic
version of this course): serverless containers, billed while they run.

    pip install "dask-cloudprovider[aws]"
    python deploy/aws/fargate.py            # prints the scheduler address, stops on Enter

Needs AWS credentials (`aws configure`) allowed to create ECS clusters, tasks, IAM roles and
security groups, and the image from deploy/build-image.sh pushed to a registry Fargate can pull
from (ECR, or ghcr.io if public). Data must be in S3 (`s3://...` paths in the notebooks'
data parameters): Fargate tasks have no access to your disk.
"""

from __future__ import annotations

from pathlib import Path

IMAGE = (Path(__file__).resolve().parents[1] / "image.txt").read_text().strip()

#: FargateCluster arguments. Fargate sizes: CPU in 1/1024 vCPU units, memory in MiB.
SETTINGS = {
    "image": IMAGE,
    "n_workers": 8,
    "scheduler_cpu": 1024,
    "scheduler_mem": 4096,
    "worker_cpu": 2048,
    "worker_mem": 8192,
    "worker_nthreads": 2,
    "fargate_use_private_ip": False,
    "scheduler_timeout": "20 minutes",  # stop paying when nobody uses the cluster
}


def main() -> None:
    from dask.distributed import Client
    from dask_cloudprovider.aws import FargateCluster

    cluster = FargateCluster(**SETTINGS)
    client = Client(cluster)
    print("scheduler:", cluster.scheduler_address, "| dashboard:", client.dashboard_link)
    input("press Enter to stop the cluster (and its bill) ")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
