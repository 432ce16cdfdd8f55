"""The Streamlit pages. They call the core through Project and never touch the database themselves."""
