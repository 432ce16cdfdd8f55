"""REFI-QDA exchange: projects as .qdpx (project.qde plus sources/) and codebooks as .qdc, to and from other tools."""
