"""Communities: a company or a neighbourhood gathers members, who may keep listings and rides among them."""
