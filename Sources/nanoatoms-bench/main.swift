import NanoAtomsEngine
print("nanoatoms")
