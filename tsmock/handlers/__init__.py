"""The handler table of each service: operation name -> backend call."""
