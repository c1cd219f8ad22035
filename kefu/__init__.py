"""Intelligent customer-service assistant for Chinese e-commerce shops."""
