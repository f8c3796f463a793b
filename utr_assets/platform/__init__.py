"""Platform layer: resources, IO managers, partitions, quality checks shared by every domain."""
