"""The qualification services: job roles, qualifications, and who meets them."""
